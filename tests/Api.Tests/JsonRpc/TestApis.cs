using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Kiln.Api.JsonRpc;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>go-jsonrpc's rpc_test.go handler: Inc() and Add(int) on a counter.</summary>
[RpcNamespace("SimpleServerHandler")]
public interface ISimpleServerHandler
{
    [Perm(Permission.Read)]
    Task IncAsync();

    [Perm(Permission.Read)]
    Task AddAsync(int n);
}

public sealed class SimpleServerHandler : ISimpleServerHandler
{
    private int _n;

    public int N => Volatile.Read(ref _n);

    public Task IncAsync()
    {
        Interlocked.Increment(ref _n);
        return Task.CompletedTask;
    }

    public Task AddAsync(int n)
    {
        Interlocked.Add(ref _n, n);
        return Task.CompletedTask;
    }
}

/// <summary>A small Filecoin-namespaced API covering every shape the server and proxy support.</summary>
[RpcNamespace("Filecoin")]
public interface ITestApi
{
    [Perm(Permission.Read)]
    Task<int> AddAsync(int a, int b, CancellationToken cancellationToken = default);

    [Perm(Permission.Admin)]
    Task<Guid> SessionAsync(CancellationToken cancellationToken = default);

    [Perm(Permission.Admin)]
    Task WorkerConnectAsync(string url, CancellationToken cancellationToken = default);

    [Perm(Permission.Read)]
    Task<byte[]> EchoBytesAsync(byte[] data, CancellationToken cancellationToken = default);

    [Perm(Permission.Read)]
    Task FailAsync(string message, CancellationToken cancellationToken = default);

    [Perm(Permission.Read)]
    Task FailWithCodeAsync(int code, string message, CancellationToken cancellationToken = default);

    [Perm(Permission.Read)]
    Task<string> WaitAsync(CancellationToken cancellationToken = default);

    [Perm(Permission.Read)]
    Task<string> DigestAsync(Stream data, CancellationToken cancellationToken = default);

    [Perm(Permission.Read)]
    Task<bool> IgnoreReaderAsync(Stream data, CancellationToken cancellationToken = default);

    [Perm(Permission.Admin)]
    IAsyncEnumerable<int> CountAsync(int n, int delayMs, CancellationToken cancellationToken = default);

    [Perm(Permission.Read)]
    ValueTask<long> LongAsync(long value);
}

public sealed class TestApi : ITestApi
{
    public static readonly Guid SessionId = Guid.Parse("07070707-0707-0707-0707-070707070707");

    /// <summary>Completed with true when a WaitAsync call saw its token cancelled.</summary>
    public TaskCompletionSource<bool> WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<bool> CountCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? LastUrl { get; private set; }

    public Task<int> AddAsync(int a, int b, CancellationToken cancellationToken = default) => Task.FromResult(a + b);

    public Task<Guid> SessionAsync(CancellationToken cancellationToken = default) => Task.FromResult(SessionId);

    public Task WorkerConnectAsync(string url, CancellationToken cancellationToken = default)
    {
        LastUrl = url;
        return Task.CompletedTask;
    }

    public Task<byte[]> EchoBytesAsync(byte[] data, CancellationToken cancellationToken = default) => Task.FromResult(data);

    public Task FailAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public Task FailWithCodeAsync(int code, string message, CancellationToken cancellationToken = default) =>
        throw new RpcException(code, message, meta: System.Text.Json.JsonSerializer.SerializeToElement("some event"));

    public async Task<string> WaitAsync(CancellationToken cancellationToken = default)
    {
        WaitStarted.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "never";
        }
        catch (OperationCanceledException)
        {
            WaitCancelled.TrySetResult(true);
            throw;
        }
    }

    public async Task<string> DigestAsync(Stream data, CancellationToken cancellationToken = default)
    {
        var hash = await SHA256.HashDataAsync(data, cancellationToken);
        return Convert.ToHexString(hash);
    }

    public Task<bool> IgnoreReaderAsync(Stream data, CancellationToken cancellationToken = default) => Task.FromResult(true);

    public async IAsyncEnumerable<int> CountAsync(int n, int delayMs, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 1; i <= n; i++)
        {
            if (delayMs > 0)
            {
                try
                {
                    await Task.Delay(delayMs, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    CountCancelled.TrySetResult(true);
                    throw;
                }
            }

            yield return i;
        }
    }

    public ValueTask<long> LongAsync(long value) => ValueTask.FromResult(value * 2);
}
