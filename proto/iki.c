/* iki.c: the table of error codes, their wire names and their sentences for clerks. */
#include "iki.h"

#include <stdint.h>
#include <string.h>

struct iki_code {
	int code;
	const char *name;
	const char *text;
};

static const struct iki_code codes[] = {
	{IKI_OK, "ok", "Berhasil."},
	{IKI_EMALFORMED, "malformed", "Pesan rusak atau tidak lengkap; kirim ulang dengan versi iki yang benar."},
	{IKI_EVERSION, "bad_version", "Versi protokol tidak didukung; perbarui aplikasi iki Anda."},
	{IKI_ETYPE, "bad_type", "Jenis pesan tidak dikenal; perbarui aplikasi iki Anda."},
	{IKI_EFIELD, "bad_field", "Ada kolom yang kosong, salah jenis, atau terlalu panjang."},
	{IKI_ETOOBIG, "too_big", "Kiriman terlalu besar; bagi menjadi beberapa kiriman yang lebih kecil."},
	{IKI_EELEMENT, "unknown_element", "Kode elemen data tidak ada di katalog; periksa ejaannya."},
	{IKI_EORGUNIT, "unknown_orgunit", "Kode desa/kelurahan tidak dikenal; gunakan kode Kemendagri, misalnya 35.27.03.2001."},
	{IKI_EDATE, "bad_date", "Tanggal tidak valid; tulis sebagai TTTT-BB-HH, misalnya 2022-03-15."},
	{IKI_EOP, "bad_op", "Operasi tidak cocok dengan elemen data ini."},
	{IKI_EVALUE, "bad_value", "Nilai di luar batas yang diizinkan untuk elemen data ini."},
	{IKI_ECONFLICT, "id_conflict", "ID kejadian ini sudah dipakai untuk data lain; gunakan ID baru."},
	{IKI_ECASEID, "missing_case", "Kejadian kasus memerlukan nomor kasus (case id)."},
	{IKI_ECASEUNKNOWN, "unknown_case", "Nomor kasus ini belum pernah dibuka; kirim dulu kejadian pembukaannya."},
	{IKI_ECASEOPEN, "case_exists", "Nomor kasus ini sudah dibuka sebelumnya."},
	{IKI_ECASECLOSED, "case_closed", "Kasus ini sudah diselesaikan sebelumnya."},
	{IKI_ECASEDATE, "case_date", "Tanggal penyelesaian lebih awal dari tanggal pembukaan kasus."},
	{IKI_EINDICATOR, "unknown_indicator", "Kode indikator tidak ada di katalog."},
	{IKI_EPERIOD, "bad_period", "Periode tidak valid; tulis 2022, 2022Q1 (triwulan), 202203 (bulan), atau 2022Q2SD / 202205SD (s.d., sejak 1 Januari)."},
	{IKI_ESTORAGE, "storage", "Server gagal menyimpan; tidak ada yang tersimpan, silakan kirim ulang."},
	{IKI_EFULL, "storage_full", "Basis data penuh; tidak ada yang tersimpan. Hubungi operator."},
	{IKI_EBUSY, "busy", "Server sedang sibuk atau berhenti; kirim ulang sebentar lagi."},
	{IKI_ETIMEOUT, "timeout", "Server tidak menjawab; periksa koneksi lalu kirim ulang (aman, tidak terhitung dua kali)."},
	{IKI_ECATALOG, "bad_catalog", "Katalog indikator berisi kesalahan."},
	{IKI_EINTERNAL, "internal", "Kesalahan internal server; laporkan ke operator."},
	{IKI_EFORBIDDEN, "forbidden", "Kunci Anda tidak berwenang untuk permintaan ini; hubungi operator bila perlu."},
	{IKI_EREF, "unknown_ref", "ID kejadian yang hendak dikoreksi tidak ditemukan; periksa ID-nya."},
	{IKI_EVOIDED, "already_voided", "Kejadian ini sudah dibatalkan atau diganti sebelumnya."},
	{IKI_ELOCKED, "locked", "Periode ini sudah dikunci setelah dilaporkan; minta admin membukanya bila perlu koreksi."},
	{IKI_EOVERFLOW, "sum_overflow", "Jumlah ini akan melampaui batas total yang dapat disimpan (1.000.000.000.000.000.000); periksa nilainya, kemungkinan salah ketik."},
	{IKI_EPENDING, "too_many_pending", "Terlalu banyak permintaan Anda yang belum dijawab; tunggu jawabannya, lalu kirim lagi."},
	{IKI_EYEAR, "out_of_year", "Tanggalnya di luar tahun anggaran katalog; periksa tahunnya (kegiatan tahun lain dilaporkan dengan katalog tahun itu)."},
	{IKI_ESCOPE, "out_of_scope", "Data ini di luar wewenang kunci Anda: kirim hanya untuk desa/kelurahan dan elemen data bagian Anda."},
};

static const struct iki_code *lookup(int code)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return &codes[i];
	return NULL;
}

const char *iki_code_name(int code)
{
	const struct iki_code *c = lookup(code);
	return c ? c->name : "error";
}

bool iki_code_busy(int code)
{
	return code == IKI_EBUSY || code == IKI_EPENDING;
}

int iki_code_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].name, name) == 0)
			return codes[i].code;
	return IKI_EINTERNAL;
}

const char *iki_strerror(int code)
{
	const struct iki_code *c = lookup(code);
	if (c)
		return c->text;
	if (code < 0 && code > -IKI_EBASE)
		return strerror(-code);
	return "Kesalahan tidak dikenal.";
}

size_t iki_utf8_check(const void *buf, size_t n)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	const unsigned char *s = buf;
	for (size_t i = 0, len; i < n; i += len) {
		unsigned char b = s[i];
		len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : 4;
		if (b == 0 || b >= 0xf5 || (b >= 0x80 && b < 0xc2) || len > n - i)
			return i;
		uint32_t cp = b & lead_mask[len];
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3fu);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return i;
	}
	return n;
}

void iki_utf8_trim(char *s)
{
	size_t n = strlen(s), i = n, need;
	while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--; /* back over continuation bytes to the lead byte */
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	if (lead < 0x80)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}
