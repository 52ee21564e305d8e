"""Light curves → global/local views (numpy/scipy/astropy only; no torch).

* :mod:`.views` — :class:`ViewSet` and the view grids (2001 global bins over the full phase, 201 local bins
  over ±2 transit durations, ±4 for AstroNet's views; values are relative flux − 1, out-of-transit median 0);
* :mod:`.render` — physical (batman) transit views from catalog parameters;
* :mod:`.catalog_views` — :func:`views_for_catalog`: given views where they exist, rendered ones elsewhere;
* :mod:`.fitsio` — read Kepler/TESS light-curve FITS files;
* :mod:`.preprocess` — detrend, phase-fold and bin real light curves into views;
* :mod:`.astronet` — import real views preprocessed by the AstroNet pipeline;
* :mod:`.embedded` — the real AstroNet views of the DR25 KOIs shipped with the package (``"embedded"``);
* :mod:`.diagnostics` — numpy-only vetting checks on a real light curve (odd/even, secondary, per transit);
* :mod:`.parallel`, :mod:`.shards` — per-star tasks on Dask or a process pool, sharded resumable output;
* :mod:`.jobs` — the command-line jobs (build, render, import) as library functions;
* :mod:`.augment` — training-time augmentation;
* :mod:`.download` — optional MAST download through lightkurve.

Example::

    from exomesa.lightcurves import render_views, views_for_catalog
    views = views_for_catalog(catalog, ViewSet.load("views.npz"))   # real where available, else rendered
"""

from exomesa.lightcurves.augment import augment_views
from exomesa.lightcurves.catalog_views import views_for_catalog
from exomesa.lightcurves.embedded import embedded_views
from exomesa.lightcurves.render import render_views
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet

__all__ = [
    "GLOBAL_BINS",
    "LOCAL_BINS",
    "ViewSet",
    "render_views",
    "views_for_catalog",
    "augment_views",
    "embedded_views",
]
