/** A checked PostgreSQL connection URL. */
export interface PostgresUrl {
  /** The URL as given: handed to the driver unchanged (it reads sslmode, host=, options= and the rest). */
  url: string;
  /** The URL with its password replaced by `***`: safe for logs and error messages. */
  redacted: string;
  /** `host:port/database` for short messages (the socket directory stands in for a unix-socket host). */
  label: string;
}

/** A URL that is not a usable PostgreSQL URL; the message says what is wrong and shows the expected form. */
export class PostgresUrlError extends Error {
  constructor(message: string) {
    super(`${message} (expected postgres://user:password@host:5432/database)`);
    this.name = "PostgresUrlError";
  }
}

const SCHEMES = new Set(["postgres:", "postgresql:"]);

/**
 * Check a connection URL before anything connects, so a typo is reported as such (not as a timeout).
 * Accepts what libpq accepts in URL form: `postgres://` or `postgresql://`, credentials, host (or `?host=` for a
 * unix-socket directory), port, database, query parameters such as `sslmode`.
 */
export function parsePostgresUrl(text: string): PostgresUrl {
  const trimmed = text.trim();
  if (trimmed === "") throw new PostgresUrlError("the PostgreSQL URL is empty");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new PostgresUrlError(`"${redactText(trimmed)}" is not a URL`);
  }
  if (!SCHEMES.has(url.protocol)) throw new PostgresUrlError(`the URL's scheme must be postgres:// or postgresql://, got ${url.protocol}//`);
  const socketDir = url.searchParams.get("host");
  if (url.hostname === "" && !socketDir) throw new PostgresUrlError(`"${redactText(trimmed)}" names no host`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database.includes("/")) throw new PostgresUrlError(`"${database}" is not a database name (it contains "/")`);
  const redactedUrl = new URL(trimmed);
  if (redactedUrl.password) redactedUrl.password = "***";
  const host = url.hostname || socketDir!;
  const db = database || decodeURIComponent(url.username) || "(default)";
  return { url: trimmed, redacted: redactedUrl.href, label: `${host}${url.port ? `:${url.port}` : ""}/${db}` };
}

/** Hide a password in text that may not parse as a URL (`scheme://user:password@...`). */
function redactText(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
