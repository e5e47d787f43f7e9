/**
 * What of the worker's environment the toolchain may see. `flutter build` runs package code
 * and the app's own build hooks, which come from the model or the request: they must not find
 * the worker's database URL, model key or service-role key in their environment. So only
 * what a toolchain needs passes: paths, locale and terminal, temp dirs, proxies, and the
 * Flutter, Dart, pub, Android and Java settings.
 */
const ALLOWED =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z]+|TERM|TZ|TMPDIR|TEMP|TMP|XDG_[A-Z_]+|FLUTTER_[A-Z0-9_]+|PUB_[A-Z0-9_]+|DART_[A-Z0-9_]+|ANDROID_[A-Z0-9_]+|JAVA_HOME|CHROME_EXECUTABLE|CI|NO_PROXY|HTTPS?_PROXY|no_proxy|https?_proxy)$/;

/** The toolchain's environment, from the worker's. */
export function toolchainEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => e[1] !== undefined && ALLOWED.test(e[0]),
    ),
  );
}
