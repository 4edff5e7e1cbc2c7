"""The OpenAPI description of dragoman's routes (`document`), built from a table of its
operations (`operations`) and the dialects' wire types (`typed_schema`)."""
