// validate-npm-package-name ships no types.
declare module 'validate-npm-package-name' {
  interface Result {
    validForNewPackages: boolean;
    validForOldPackages: boolean;
    warnings?: string[];
    errors?: string[];
  }
  function validate(name: unknown): Result;
  export default validate;
}
