/** The environment without NO_COLOR and FORCE_COLOR: a child's pipe alone decides its colour, whatever the environment running the tests says. */
export function withoutColourSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NO_COLOR: _noColour, FORCE_COLOR: _forceColour, ...rest } = env;
  return rest;
}
