import type { Options } from 'tsup';
export declare function packageConfig(extra?: Partial<Options>): Options | Options[] | ((overrideOptions: Options) => Options | Options[] | Promise<Options | Options[]>);
