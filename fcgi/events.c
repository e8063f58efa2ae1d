/* The events table: written in the change's transaction (events_add). */
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "db.h"
#include "events.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"

static const struct sql SQL_EVENT_INSERT = {
	"INSERT INTO events (id, account_id, livemode, type, data, created)"
	" VALUES (?, ?, ?, ?, ?, ?)", "ssissi", 0 };

int
events_add(struct req *r, const char *type, struct json_object *obj)
{
	struct json_object	*data;
	char			 id[IDS_MAX];
	int			 rc;

	if (ids_new("evt_", id, sizeof(id)) == -1 ||
	    (data = json_object_new_object()) == NULL)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	jsonx_add(data, "object", json_object_get(obj));
	rc = db_exec(r, &SQL_EVENT_INSERT, (struct db_val[]){ DB_S(id),
	    DB_S(r->caller.account_id), DB_I(r->caller.livemode), DB_S(type),
	    DB_S(jsonx_text(data)), DB_I(time(NULL)), DB_E }, NULL);
	json_object_put(data);
	return rc;
}
