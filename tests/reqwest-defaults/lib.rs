//! Nothing here: the test in `tests/` is the point. This package is a service's dependency
//! set (reqwest 0.13 with its default features, oidc-http with its defaults), so that building
//! its test reproduces exactly the feature unification such a service gets.
