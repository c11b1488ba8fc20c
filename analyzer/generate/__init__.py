"""Sink models generated from an SDK's own source (issue 12): `xborder models generate` and
`xborder scan --python-path`.

    distribution.py  the SDK's files: a wheel or sdist fetched from the package index into a cache, or a folder
                     already unpacked or installed (site-packages); its import packages and version
    extract.py       the SDK summarized and propagated by xborder's own engine (never imported or
                     run): public functions and methods whose parameters reach a catalog sink
                     (requests, httpx, smtplib, boto3, ...), with the host constants that reach it
    render.py        those models as rules/sinks TOML, with their provenance; read back as Sinks

The engine's own pending sink calls (propagate/results.Result.calls: a sink whose data waits for a
parameter) are the whole mechanism: a public function whose Result still holds one is a sink.
"""
