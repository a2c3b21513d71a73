import { findPython } from './helpers/external.js';
import { pythonScenarios } from './helpers/python-suite.js';

// Scenario 5 rejects (basic.reject) and scenario 8 uses the py-amqp channel's tx_*: kombu has no
// nack or transaction API of its own (see the script's docstring).
pythonScenarios({
  client: 'kombu',
  python: findPython(['kombu', 'amqp']),
  debianPackages: 'python3-kombu',
  script: 'kombu_scenarios.py',
});
