"""Guides (办事指南): the 一次告知 rules and the JSON file of a catalogue of guides (docs/guides.md)."""
