export { createWebUi, CONTENT_SECURITY_POLICY, type WebUi, type WebUiOptions } from './web-ui.ts';
export { renderMarkdown, type MarkdownOptions } from './markdown.ts';
export type { WebSource, ListQuery, ListResult, ListRow, PackageData, WebManifest, WebHistoryEvent } from './types.ts';
