/**
 * `npm start -- <app> [options]`: runs one of the reference applications; clickstream when no app is named.
 */
const APPS: Record<string, string> = {
  clickstream: './clickstream/main.js',
  attribution: './attribution/main.js',
};
const named = process.argv[2] !== undefined && !process.argv[2].startsWith('-') ? process.argv[2] : undefined;
if (named !== undefined && !(named in APPS)) {
  console.error(`unknown app '${named}' (apps: ${Object.keys(APPS).join(', ')})`);
  process.exit(2);
}
// the app parses the options that follow its name
if (named !== undefined) process.argv.splice(2, 1);
await import(APPS[named ?? 'clickstream']!);
