// Behaviour shared by every page. No inline scripts anywhere: the Content Security Policy
// allows scripts from our origin only; page-specific code lives in its own static file.
