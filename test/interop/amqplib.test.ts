import amqplib from 'amqplib';
import { amqplibScenarios } from './helpers/amqplib-suite.js';

amqplibScenarios('amqplib', amqplib);
