import AjvCompiler from "@fastify/ajv-compiler";

/**
 * Fastify compiles a validator (Ajv, generated code) for every schema of every route while the server starts: about
 * a sixth of lg-dev's start-up, for ~80 routes of which a session uses a handful. These validators compile on the
 * first request that needs each one instead, with Fastify's own compiler and options, so what they accept and the
 * errors they report are unchanged; the first call of a route pays ~1 ms once.
 */

type BuildValidator = ReturnType<typeof AjvCompiler>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };

/** Fastify's `schemaController.compilersFactory.buildValidator`, compiling each route schema on first use. */
export function lazyValidators(build: BuildValidator = AjvCompiler()): BuildValidator {
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
