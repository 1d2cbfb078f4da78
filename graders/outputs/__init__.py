"""What the kit writes for people: feedback, the gradebook, report.html and class.html, safely
rendered, and the batch's output folder."""
