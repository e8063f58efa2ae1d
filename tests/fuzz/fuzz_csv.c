/*
 * libFuzzer target: the CSV reader (csv.c) as an import reads a file,
 * record after record to the end or to a malformed one; and every field
 * read, written again by csv_field() and read back, must come out the
 * same (the export and import round trip). The import refuses a file
 * with a NUL before reading it, so the input stops at its first NUL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "csv.h"

#include "params_walk.h"

/* Writes "s" as a record of one field, reads it back: the same text. */
static void
round_trip(const char *s)
{
	struct csv_buf		 b = { NULL, 0, 0 };
	struct csv_reader	 rd;
	struct json_object	*rec;
	const char		*why;

	FUZZ_CHECK(csv_field(&b, s, 1) == 0 && csv_end(&b) == 0,
	    "out of memory");
	csv_reader_init(&rd, b.p, b.len);
	rec = csv_record(&rd, &why);
	FUZZ_CHECK(rec != NULL && json_object_array_length(rec) == 1,
	    "a written field does not read back as one field");
	FUZZ_CHECK(strcmp(json_object_get_string(
	    json_object_array_get_idx(rec, 0)), s) == 0,
	    "a written field reads back changed");
	json_object_put(rec);
	free(b.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader	 rd;
	struct json_object	*rec;
	const char		*why;
	size_t			 len = strnlen((const char *)data, size), i;
	size_t			 last = 0;

	csv_reader_init(&rd, (const char *)data, len);
	while ((rec = csv_record(&rd, &why)) != NULL) {
		FUZZ_CHECK(rd.record == last + 1, "records not counted");
		last = rd.record;
		for (i = 0; i < json_object_array_length(rec); i++)
			round_trip(json_object_get_string(
			    json_object_array_get_idx(rec, i)));
		json_object_put(rec);
	}
	FUZZ_CHECK(why != NULL || rd.p == rd.end, "stopped before the end");
	return 0;
}
