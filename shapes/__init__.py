"""SHACL shapes (Turtle) that every load and update is validated against, shipped as package data."""
