"""Reading Kepler/TESS light-curve FITS files: real shared files and hand-made bad ones."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits

from exomesa.errors import ExomesaError
from exomesa.lightcurves.fitsio import BKJD_REF, BTJD_REF, read_header_ids, read_lightcurve, stitch

KEPLER_FILE = "kplr010666592-2009131105131_llc.fits"


def _write_lc(
    path, *, telescope="TESS", ticid=123, quality_name="QUALITY", with_flux=True, extname="LIGHTCURVE"
):
    n = 100
    time = np.linspace(1325.0, 1330.0, n)
    flux = np.full(n, 500.0)
    flux[3] = np.nan
    quality = np.zeros(n, dtype=np.int32)
    quality[5] = 128
    cols = [
        fits.Column(name="TIME", format="D", array=time),
        fits.Column(name=quality_name, format="J", array=quality),
    ]
    if with_flux:
        cols += [
            fits.Column(name="PDCSAP_FLUX", format="E", array=flux),
            fits.Column(name="PDCSAP_FLUX_ERR", format="E", array=np.full(n, 5.0)),
        ]
    primary = fits.PrimaryHDU()
    primary.header["TELESCOP"] = telescope
    primary.header["TICID" if telescope == "TESS" else "KEPLERID"] = ticid
    table = fits.BinTableHDU.from_columns(cols, name=extname)
    table.header["BJDREFI"] = 2457000 if telescope == "TESS" else 2454833
    table.header["BJDREFF"] = 0.0
    fits.HDUList([primary, table]).writeto(path)
    return path


def test_read_kepler_file(shared_lightcurves):
    lc = read_lightcurve(shared_lightcurves / KEPLER_FILE)
    assert lc.mission == "Kepler" and lc.target_id == 10666592 and lc.bjd_ref == BKJD_REF
    assert 400 < len(lc) <= 476  # SAP_QUALITY == 0 and finite only
    assert np.all(np.isfinite(lc.time)) and np.all(np.isfinite(lc.flux)) and np.all(np.diff(lc.time) > 0)
    assert np.median(lc.flux) == pytest.approx(1.0, abs=1e-9)
    assert lc.name == "KIC 10666592"


def test_read_tess_files(shared_lightcurves):
    files = sorted(shared_lightcurves.glob("tess*_lc.fits"))
    assert len(files) == 4
    for path in files:
        lc = read_lightcurve(path)
        assert lc.mission == "TESS" and lc.bjd_ref == BTJD_REF
        assert lc.target_id == int(path.name.split("-")[2])
        assert 15000 < len(lc) <= 20076
        assert lc.time.shape == lc.flux.shape == lc.flux_err.shape
        assert np.all(np.isfinite(lc.flux)) and np.median(lc.flux) == pytest.approx(1.0, abs=1e-9)
        assert 1325 < lc.time[0] < lc.time[-1] < 1354
        assert read_header_ids(path) == ("TESS", lc.target_id)


def test_stitch(shared_lightcurves):
    files = sorted(shared_lightcurves.glob("tess*_lc.fits"))
    one = read_lightcurve(files[0])
    twice = stitch([one, one])
    assert len(twice) == 2 * len(one) and np.all(np.diff(twice.time) >= 0) and len(twice.paths) == 2
    with pytest.raises(ExomesaError, match="one target"):
        stitch([one, read_lightcurve(files[1])])


def test_quality_and_nan_filtering(tmp_path):
    lc = read_lightcurve(_write_lc(tmp_path / "synthetic_lc.fits"))
    assert len(lc) == 98 and np.allclose(lc.flux, 1.0) and np.allclose(lc.flux_err, 0.01)
    old = read_lightcurve(
        _write_lc(tmp_path / "old_llc.fits", telescope="Kepler", quality_name="SAP_QUALITY")
    )
    assert old.mission == "Kepler" and len(old) == 98


def test_not_a_lightcurve(tmp_path):
    no_ext = _write_lc(tmp_path / "tpf.fits", extname="TARGETTABLES")
    with pytest.raises(ExomesaError, match=r"tpf\.fits.*no LIGHTCURVE"):
        read_lightcurve(no_ext)
    no_flux = _write_lc(tmp_path / "noflux.fits", with_flux=False)
    with pytest.raises(ExomesaError, match=r"noflux\.fits.*PDCSAP_FLUX"):
        read_lightcurve(no_flux)
    text = tmp_path / "notes.fits"
    text.write_text("hello")
    with pytest.raises(ExomesaError, match="notes.fits"):
        read_lightcurve(text)
    with pytest.raises(ExomesaError, match="missing.fits"):
        read_lightcurve(tmp_path / "missing.fits")
    unknown = _write_lc(tmp_path / "other.fits", telescope="HST")
    with fits.open(unknown, mode="update") as hdul:
        del hdul[0].header["KEPLERID"]
    with pytest.raises(ExomesaError, match=r"other\.fits.*mission"):
        read_lightcurve(unknown)
