import { packageConfig } from '@factorywager/build/tsup';

export default packageConfig();
