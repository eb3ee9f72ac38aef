using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Clavex.Tests.Support;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the test PostgreSQL, for outage tests: <see cref="Stop"/> refuses new
/// connections and resets every open one (PostgreSQL stopped or crashed), <see cref="Freeze"/> keeps connections open
/// but passes no bytes (a hung server or network), <see cref="Resume"/> brings it back on the same port.
/// </summary>
internal sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _open = new();
    private readonly CancellationTokenSource _disposed = new();
    private TcpListener? _listener;
    private TaskCompletionSource _thawed = NewGate(open: true);

    private TcpFaultProxy(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Connections accepted so far; a test reads it to see the server reconnect.</summary>
    public int Accepted { get; private set; }

    public static TcpFaultProxy Start(string host, int targetPort)
    {
        var proxy = new TcpFaultProxy(new IPEndPoint(Dns.GetHostAddresses(host)[0], targetPort), ClavexTestServer.FreePort());
        proxy.Listen();
        return proxy;
    }

    /// <summary>The connection string with its host and port replaced by this proxy's.</summary>
    public string Through(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    /// <summary>Refuses new connections and resets the open ones.</summary>
    public void Stop()
    {
        _listener?.Stop();
        _listener = null;
        foreach ((TcpClient inbound, TcpClient outbound) in _open)
        {
            Reset(inbound);
            Reset(outbound);
        }

        _open.Clear();
        _thawed.TrySetResult();
    }

    /// <summary>Stops passing bytes either way; connections stay open and new ones are accepted, then hang.</summary>
    public void Freeze() => _thawed = NewGate(open: false);

    /// <summary>Listens again (after <see cref="Stop"/>) or passes bytes again (after <see cref="Freeze"/>).</summary>
    public void Resume()
    {
        _thawed.TrySetResult();
        if (_listener is null)
        {
            Listen();
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        Stop();
        _disposed.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptAsync(listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_disposed.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(_disposed.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            Accepted++;
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_target, _disposed.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                Reset(inbound);
                outbound.Dispose();
                continue;
            }

            _open[inbound] = outbound;
            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            NetworkStream source = from.GetStream();
            NetworkStream destination = to.GetStream();
            while (true)
            {
                await _thawed.Task;
                int read = await source.ReadAsync(buffer, _disposed.Token);
                if (read == 0)
                {
                    break;
                }

                // Bytes read just before a freeze are held until it ends, as a hung peer would.
                await _thawed.Task;
                await destination.WriteAsync(buffer.AsMemory(0, read), _disposed.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }

        Reset(from);
        Reset(to);
        _open.TryRemove(from, out _);
        _open.TryRemove(to, out _);
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            // Closed already (its pump or Stop got there first) when the socket is gone.
            if (client.Client is Socket socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }

            client.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }

        return gate;
    }
}
