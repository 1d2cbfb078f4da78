"""Where courses grade: Gradescope, PrairieLearn, GitHub Classroom and JUnit, adapters at the
kit's edge that read the results model (graders/model/results.py)."""
