import { findPython } from './helpers/external.js';
import { pythonScenarios } from './helpers/python-suite.js';

const python = findPython(['pika']);

pythonScenarios({ client: 'pika BlockingConnection', python, debianPackages: 'python3-pika', script: 'pika_blocking.py' });
pythonScenarios({ client: 'pika SelectConnection', python, debianPackages: 'python3-pika', script: 'pika_select.py' });
