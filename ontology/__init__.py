"""The clusterkg OWL ontology and SKOS concept schemes (Turtle), shipped as package data."""
