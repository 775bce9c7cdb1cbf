"""The bundled, curated graph: one Turtle file per source document, each its own named graph."""
