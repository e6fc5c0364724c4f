export { parseFeed, type FeedItem } from './parse-feed.ts';
export { fetchFeeds, safeUrl, type FetchFeedsOptions, type FetchFeedsResult } from './fetch-feeds.ts';
export { FeedItemStore, newestFirst, type StoredItem } from './item-store.ts';
export { renderItemsHtml, sanitizeSummary } from './render-html.ts';
export { FeedError, type FeedErrorCode } from './errors.ts';
