"""The trainer's page: the logic of comparing A and B live (page) and the Streamlit app that draws it."""
