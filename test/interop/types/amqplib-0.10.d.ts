// amqplib 0.10.0 installed under an npm alias; its API is the one @types/amqplib describes.
declare module 'amqplib-0.10' {
  export * from 'amqplib';
}
