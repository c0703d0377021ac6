import AjvCompiler from "@fastify/ajv-compiler";

/**
 * Route validators compiled on first use: a speed trick, switched off by `LG_DEV_NO_LAZY_VALIDATORS=1`.
 * Fastify compiles a validator (Ajv, generated code) for every schema of every route while the server starts: about
 * a sixth of lg-dev's start-up, for ~80 routes of which a session uses a handful. These validators compile on the
 * first request that needs each one instead, with Fastify's own compiler and options, so what they accept and the
 * errors they report are unchanged; the first call of a route pays ~1 ms once. Switched off, Fastify's own compiler
 * compiles them all at start-up.
 */

type BuildValidator = ReturnType<typeof AjvCompiler>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };

/** Set to `1` to compile every route's validator at start-up, as Fastify does (to compare, or to rule this out). */
export const NO_LAZY_VALIDATORS = "LG_DEV_NO_LAZY_VALIDATORS";

/**
 * Fastify's `schemaController.compilersFactory.buildValidator`, compiling each route schema on first use; `build`
 * itself when the environment switches the trick off.
 */
export function lazyValidators(build: BuildValidator = AjvCompiler(), env: NodeJS.ProcessEnv = process.env): BuildValidator {
  if (env[NO_LAZY_VALIDATORS] === "1") return build;
  return ((externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route) => {
      let compiled: Validate | undefined;
      const validate: Validate = (data) => {
        compiled ??= compile(route) as Validate;
        const result = compiled(data);
        // Fastify reads the reasons of a `false` from the validator itself, as Ajv leaves them there.
        validate.errors = compiled.errors;
        return result;
      };
      return validate;
    };
  }) as BuildValidator;
}
