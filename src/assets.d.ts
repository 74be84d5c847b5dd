// Unit files and udev rules are imported as text: esbuild's text loader in the bundle
// (scripts/build.mjs), a small plugin under vitest (vitest.config.ts).
declare module '*.service' {
  const text: string;
  export default text;
}
declare module '*.rules' {
  const text: string;
  export default text;
}
