const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a uuid in its text form (a JWT's `sub`, a job's ids). */
export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);
