using System.Collections.Concurrent;
using System.Security.Cryptography;
using Kiln.Api.JsonRpc;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>Asynchronous reader methods, shaped like Lotus's worker calls: answer at once, read in the background.</summary>
[RpcNamespace("Streams")]
public interface IStreamTestApi
{
    /// <summary>Takes the reader over and digests it in the background once <see cref="StreamTestApi.Release"/> is called.</summary>
    [Perm(Permission.Read)]
    Task<Guid> StartDigestAsync(Stream data, CancellationToken cancellationToken = default);

    /// <summary>Takes the reader over, then fails: the server must close it anyway.</summary>
    [Perm(Permission.Read)]
    Task<Guid> TakeAndFailAsync(Stream data, CancellationToken cancellationToken = default);

    /// <summary>Takes the reader over and forgets it: neither read nor closed.</summary>
    [Perm(Permission.Read)]
    Task<Guid> HoldAsync(Stream data, CancellationToken cancellationToken = default);
}

/// <summary>What a background digest saw.</summary>
public sealed record DigestResult(long Bytes, string Sha256, bool ReadAfterReturn);

public sealed class StreamTestApi : IStreamTestApi
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _gates = new();

    public ConcurrentDictionary<Guid, TaskCompletionSource<DigestResult>> Results { get; } = new();

    public ConcurrentDictionary<Guid, Stream> Held { get; } = new();

    public Task<Guid> StartDigestAsync(Stream data, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid();
        var result = Results.GetOrAdd(id, _ => new TaskCompletionSource<DigestResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        var gate = _gates.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        RpcReaderOwnership.TakeOwnership(data);
        _ = Task.Run(() => DigestAsync(data, gate.Task, result), CancellationToken.None);
        return Task.FromResult(id);
    }

    public Task<Guid> TakeAndFailAsync(Stream data, CancellationToken cancellationToken = default)
    {
        RpcReaderOwnership.TakeOwnership(data);
        throw new InvalidOperationException("refusing the piece after taking its reader");
    }

    public Task<Guid> HoldAsync(Stream data, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid();
        Held[id] = RpcReaderOwnership.TakeOwnership(data);
        return Task.FromResult(id);
    }

    /// <summary>Lets call <paramref name="id"/>'s background digest start reading (the call has returned by then).</summary>
    public void Release(Guid id) => _gates.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private static async Task DigestAsync(Stream data, Task gate, TaskCompletionSource<DigestResult> result)
    {
        try
        {
            await gate;
            DigestResult digest;
            await using (data)
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 20];
                long total = 0;
                int n;
                while ((n = await data.ReadAsync(buffer)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    total += n;
                }

                digest = new DigestResult(total, Convert.ToHexString(sha.GetHashAndReset()), gate.IsCompleted);
            }

            // Only once the reader is closed: a test that has the result also sees the reader's push slot finished.
            result.TrySetResult(digest);
        }
        catch (Exception e)
        {
            result.TrySetException(e);
        }
    }
}
