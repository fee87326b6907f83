/* lakip.h: the accountability arithmetic (LAKIP): capaian from realisasi and target, and the
 * predikat band it falls in. Pure functions, shared by ikid (values it sends) and clients. */
#ifndef IKI_LAKIP_H
#define IKI_LAKIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAKIP_BANDS_MAX 8
#define LAKIP_BAND_NAME_MAX 31

/*
 * One predikat band: capaian at or above min (hundredths of a percent) and below the band
 * above it. Bands are kept from the highest min down; the last one takes everything below.
 */
struct lakip_band {
	int64_t min;
	char name[LAKIP_BAND_NAME_MAX + 1];
};

struct lakip_bands {
	struct lakip_band band[LAKIP_BANDS_MAX];
	int n;
};

/* The common five: Sangat Baik >= 91, Baik 76-90, Cukup 66-75, Kurang 51-65, Sangat Kurang <= 50. */
void lakip_bands_default(struct lakip_bands *b);

/*
 * capaian (percent) of a realisasi (percent) against a target (percent, > 0): realisasi /
 * target x 100 when more is better (up); (2 x target - realisasi) / target x 100 when less is.
 * False when there is no target (<= 0).
 */
bool lakip_capaian(double realisasi, double target, bool up, double *capaian);

/* The band a capaian falls in; never NULL when the bands are not empty. */
const char *lakip_predikat(const struct lakip_bands *b, double capaian);

/*
 * Parse a percentage written with at most two decimals ("95", "95.5", "100.00") into hundredths
 * (9550). Returns false for anything else, or outside 0..max_hundredths.
 */
bool lakip_parse_percent(const char *s, int64_t max_hundredths, int64_t *out);

/*
 * A whole number as Indonesian text writes it, thousands grouped with '.' ("-1.234.567"), into
 * buf (size n; 27 bytes hold any int64_t). Returns buf.
 */
const char *lakip_count(int64_t x, char *buf, size_t n);

/*
 * Hundredths as Indonesian text writes the number: 9550 "95,5", 500000 "5.000", -5 "-0,05" (no
 * trailing zeros of the decimals), into buf (size n; 32 bytes hold any int64_t). Returns buf.
 */
const char *lakip_hundredths(int64_t x, char *buf, size_t n);

#endif
