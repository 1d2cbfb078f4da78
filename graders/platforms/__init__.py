"""Where courses grade: Gradescope, PrairieLearn and GitHub Classroom, adapters at the kit's edge."""
