/**
 * `--ssl-certfile` / `--ssl-keyfile`: the PEM files HTTPS is served with, read and checked at start-up so that a
 * wrong path, a file that is not PEM or a key that does not belong to the certificate is one clear line (and exit
 * code 1) instead of a TLS error on the first request.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createSecureContext } from "node:tls";
import { ConfigError } from "../errors.js";

/** Where the certificate (chain) and its private key are. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** Read both files (relative to `cwd`) and check that they make a TLS context. Throws `ConfigError`. */
export async function readTlsFiles(files: TlsFiles, cwd: string = process.cwd()): Promise<{ cert: Buffer; key: Buffer }> {
  const read = async (file: string, flag: string) => {
    const path = resolve(cwd, file);
    try {
      return await readFile(path);
    } catch (err) {
      throw new ConfigError(`Cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const [cert, key] = await Promise.all([read(files.certFile, "--ssl-certfile"), read(files.keyFile, "--ssl-keyfile")]);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(`--ssl-certfile ${files.certFile} and --ssl-keyfile ${files.keyFile} cannot serve HTTPS: ${(err as Error).message}`);
  }
  return { cert, key };
}
