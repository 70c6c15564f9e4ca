"""The REST API: one OpenAPI 3.1 document, the same services and permission rules as the pages."""
