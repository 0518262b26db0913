"""The trainer's page: the logic of comparing A and B live (page, usable without Streamlit) and
the Streamlit app that draws it.

May import: sim.fit and every layer below it.
"""
