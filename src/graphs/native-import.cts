/**
 * Node's own dynamic `import()`, loaded with `require` so no bundler or test runner rewrites it: user code must
 * go through Node's loader, where the tsx and generation hooks live. The body is a string so that neither tsc
 * nor tsx transforms the `import()` into something else. `options` is import()'s second argument (attributes).
 */
module.exports = new Function("url", "options", "return options === undefined ? import(url) : import(url, options)");
