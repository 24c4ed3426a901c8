// Express 4 is installed under the alias `express4` to run the contract suite against both majors.
// Its API used here is the same as Express 5's, so it borrows Express 5's types.
declare module 'express4' {
  import express from 'express';

  // A module declaration must mirror the package, which has a default export.
  export default express;
}
