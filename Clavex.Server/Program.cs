using Clavex.Server.Hosting;

return await ClavexCommand.RunAsync(args);
