"""What people read: feedback, the gradebook, report.html and class.html, safely rendered."""
