"""Shared vocabularies: fixed names from outside the engine (police.uk's columns and crime types, the
period kinds partner returns use) that both ``spec`` (to check a spec before any data is read) and
``ingest`` (to read the data) need. They import nothing of ours, so neither package imports the other
for them (DESIGN: "spec imports nothing of ours but shared vocabularies")."""
