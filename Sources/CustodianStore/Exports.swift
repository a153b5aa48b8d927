// Every user of the store works with its pool and errors: they come with `import CustodianStore`.
@_exported import CustodianDatabase
