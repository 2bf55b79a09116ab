// A ready-made test key pair (examples/keys/demo.key.pem, 2048 bits), for tests that need a
// key but not a fresh one: `testKeyPair()` returns it at once, where making a key takes tens
// to hundreds of milliseconds. It protects nothing: its private key is public, here and in the
// repository, so a receiver configured with it accepts anything anyone signs.

/** The fixed test key pair, in the shape of `generateTestKeyPair()`'s. */
export const FIXTURE_KEY_PAIR = Object.freeze({
  privateKeyPem:
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC0W14BabY2ZHZz\nwoZWU8pC3MSLsi+kXP+2xtfBHEv5J+zQNPCOyHml08meCVXjSnE6njDGC11sVdIq\nVMLE7uCzsuNAFqoqMlKAnwZmAlx3vDybnW5/nY8HmFnJL1SOhLO61TO7r/zXkTfu\nx5/Sac/UmpIEXMtX5QjASC66Wy1kIQOryzoVjcfNS1VMFbBwgwdRkgH91YvMTZW0\nKiRD/rew/e/0cb//fEpi1BQuNv1upOlXNWsN12GFTg5LannEAM/I0nTGKoh8g4u9\npGqD1eNdTVA0OXoIcHOQDj926AXrnNQqrfRMZeBDFu0Su5BwUolRI65hsAIIP7Sa\n1ykP1EBvAgMBAAECggEAG1yTJea6OIVEPSqhQ76BfGROwxy8wpRDTSDcgZT/56RJ\ndorZheffIKvBNiMXbxyPkgOGxbzapwFcGYTzaXoOB+UXOdVWaoFo5894YohwK9AY\nZ8laBq1KEi5oTK/MBbUXKTyIFSzNUIzc7fJGCl94IrpydYv4Y3TBP56TzDzh5YMk\n2F/9TGeEaSN+tSOWGIpM4uK2IJllOlUPy21Jj6xNNbfER/tXrqnoLy7pPJSFORis\n3uOG0UMDuWeh0Cs2gb/8o0WD7srQRoTNNkjUIbkD9p9w9JTqfx9eKqPeElgniV71\nLBkD/BHreGE46vecSjUvsILPcFgNsaD/3BfkeWtHzQKBgQD3fjbSv+rphprnziwZ\nrkKAaUqXF98lEpkXecpRUEcnrtjzT+eR4Ex9uMamTnQ2T1zqtFTgZc+lvD+Z1NVO\njQn0UGE1flZ8ix7Tl+GPlkOH3kWhBIxCuyMZyXOXmWRgP5GpqvpYmeX3bOgoeRTa\n0taqQSotq72Y9a53aVno9robawKBgQC6jmWJqM6hwFaYwgwPOw09HxtgDOSZ16E0\nW27FZY1+RHjZKxvYdTi2U1Sf5xr1A9y3XS4Ga3mhYgDrMU6QKTByGlEBX9T/YdiX\nrU+LcUTqVHiPz8gEiedXo3UISUouOecUObAUHmLt1kFF7YMKsQBi5nS1X9h7Lnxy\noYnNAlWUDQKBgGRytn+M4yQKvL5OYHm/zz/c/CgcyTV7ueTcSm/8PBTwEx+Vk7AS\nMBlqsD15ZBNS3KxpqnU0/TUQFWQzDKwH9D1TjlCuyR1dPZK1dxfW7eusG+iBNwgy\necmSiLbDzAiAZHdPbLIfLEXizsr2ca9qmTOapSrKJHZ7aGcQvCwgT2KnAoGANwnh\nzP4/kBsVsVW2hxvN6RVvVyQWoYirZ639/UDbwL/kw3VjbrYOuEPXeKGPI3AzQum7\ntWsp5EHssXbHjeKJB3DaK0Shq4Krivw3tpUBVvz64LrVcPlahlGUKpCs0PyGP0JR\nv23DlBWdBktvWM0lpwgEsKoJTTZGwu8Dn7crllUCgYEAll1bH1hTNwOA1SDiDnGA\nT7IZSNk3Osg4bkds67gOTbCt8iZ+m2dnUtbRrwZvEPDVoRErSeUWEYmb+k42tMTR\ne+k+Fhhs7FFfhV1k5gfjvbZx27XyWMp+66DP109un1qDZvdRIJHgS4yASNir6h6f\n/sbPhLCHi5pXNI6NIaY5rGc=\n-----END PRIVATE KEY-----\n",
  publicKeyPem:
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtFteAWm2NmR2c8KGVlPK\nQtzEi7IvpFz/tsbXwRxL+Sfs0DTwjsh5pdPJnglV40pxOp4wxgtdbFXSKlTCxO7g\ns7LjQBaqKjJSgJ8GZgJcd7w8m51uf52PB5hZyS9UjoSzutUzu6/815E37sef0mnP\n1JqSBFzLV+UIwEguulstZCEDq8s6FY3HzUtVTBWwcIMHUZIB/dWLzE2VtCokQ/63\nsP3v9HG//3xKYtQULjb9bqTpVzVrDddhhU4OS2p5xADPyNJ0xiqIfIOLvaRqg9Xj\nXU1QNDl6CHBzkA4/dugF65zUKq30TGXgQxbtEruQcFKJUSOuYbACCD+0mtcpD9RA\nbwIDAQAB\n-----END PUBLIC KEY-----\n",
  modulus:
    "tFteAWm2NmR2c8KGVlPKQtzEi7IvpFz_tsbXwRxL-Sfs0DTwjsh5pdPJnglV40pxOp4wxgtdbFXSKlTCxO7gs7LjQBaqKjJSgJ8GZgJcd7w8m51uf52PB5hZyS9UjoSzutUzu6_815E37sef0mnP1JqSBFzLV-UIwEguulstZCEDq8s6FY3HzUtVTBWwcIMHUZIB_dWLzE2VtCokQ_63sP3v9HG__3xKYtQULjb9bqTpVzVrDddhhU4OS2p5xADPyNJ0xiqIfIOLvaRqg9XjXU1QNDl6CHBzkA4_dugF65zUKq30TGXgQxbtEruQcFKJUSOuYbACCD-0mtcpD9RAbw",
  jwk: Object.freeze({
    kty: "RSA",
    n: "tFteAWm2NmR2c8KGVlPKQtzEi7IvpFz_tsbXwRxL-Sfs0DTwjsh5pdPJnglV40pxOp4wxgtdbFXSKlTCxO7gs7LjQBaqKjJSgJ8GZgJcd7w8m51uf52PB5hZyS9UjoSzutUzu6_815E37sef0mnP1JqSBFzLV-UIwEguulstZCEDq8s6FY3HzUtVTBWwcIMHUZIB_dWLzE2VtCokQ_63sP3v9HG__3xKYtQULjb9bqTpVzVrDddhhU4OS2p5xADPyNJ0xiqIfIOLvaRqg9XjXU1QNDl6CHBzkA4_dugF65zUKq30TGXgQxbtEruQcFKJUSOuYbACCD-0mtcpD9RAbw",
    e: "AQAB",
  }),
});
