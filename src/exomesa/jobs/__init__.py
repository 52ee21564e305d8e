"""The jobs the command line runs, one module per command: read the inputs, call the library, write the files.

The library packages return objects; these modules are the only ones that write a command's output files
(``test_results.json``, ``predictions.csv``, ``report.html``, the figures, ``mesa_model.pth``, vetting sheets,
views files, benchmark results). Import the module of the job you need, e.g. ``exomesa.jobs.train``.
"""
