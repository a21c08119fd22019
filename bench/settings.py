"""Settings for benchmark runs only: the product's settings plus the bench
URLconf (floor and raw baselines), so baselines go through the same middleware
while production (clinic.settings, clinic.urls) never serves them."""

from clinic.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
