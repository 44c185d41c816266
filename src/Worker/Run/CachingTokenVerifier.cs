using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiln.Api.JsonRpc;

namespace Kiln.Worker.Run;

/// <summary>
/// The worker's check of incoming tokens (Lotus cmd/lotus-worker: the miner's <c>AuthVerify</c> behind every request),
/// made to survive the miner: a verified token's permissions are cached under the SHA-256 of the token (so its
/// signature) for <see cref="CachingTokenVerifierOptions.FreshFor"/>, then verified again. While the miner cannot answer
/// (connection refused, restarting, 5xx, or no answer within <see cref="CachingTokenVerifierOptions.VerifyTimeout"/>),
/// a token it verified within <see cref="CachingTokenVerifierOptions.ServeStaleFor"/> keeps its permissions (and for
/// <see cref="CachingTokenVerifierOptions.RetryMinerAfter"/> such tokens do not wait on the miner again), so
/// <c>/remote</c> fetches and PoSt vanilla reads go on through a miner restart. A token the miner rejects (an RPC error,
/// or 401/403: the miner's secret changed) is dropped at once; a token never verified is never let in without the
/// miner; a token's <c>exp</c> claim, when present, ends its entry.
/// </summary>
public sealed partial class CachingTokenVerifier
{
    private readonly Func<string, CancellationToken, Task<IReadOnlyList<string>>> _verify;
    private readonly CachingTokenVerifierOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _minerCalls;
    private long _minerUnavailableUntilTicks;

    public CachingTokenVerifier(
        Func<string, CancellationToken, Task<IReadOnlyList<string>>> verify, CachingTokenVerifierOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(verify);
        _verify = verify;
        _options = options ?? new CachingTokenVerifierOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _log = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>Calls made to the miner's <c>AuthVerify</c> so far.</summary>
    public long MinerCalls => Interlocked.Read(ref _minerCalls);

    /// <summary>Tokens held in the cache now.</summary>
    public int Count => _entries.Count;

    /// <summary>The token's permissions: cached while fresh, else from the miner, else (miner unavailable) cached while not too stale.</summary>
    /// <exception cref="Exception">The miner rejected the token, or could not be asked and the token has no usable entry.</exception>
    public async ValueTask<IReadOnlyList<string>> VerifyAsync(string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        var key = KeyOf(token);
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out var cached) && cached.IsUsable(now))
        {
            var age = now - cached.VerifiedAt;
            // Fresh; or the miner failed to answer a moment ago, so another request would only wait for it again.
            if (age < _options.FreshFor || (age < _options.ServeStaleFor && now.UtcTicks < Interlocked.Read(ref _minerUnavailableUntilTicks)))
            {
                return cached.Permissions;
            }
        }

        IReadOnlyList<string> permissions;
        using var timeout = new CancellationTokenSource(_options.VerifyTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            Interlocked.Increment(ref _minerCalls);
            permissions = await _verify(token, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e, ct))
        {
            Interlocked.Exchange(ref _minerUnavailableUntilTicks, (now + _options.RetryMinerAfter).UtcTicks);
            if (_entries.TryGetValue(key, out var stale) && stale.IsUsable(now) && now - stale.VerifiedAt < _options.ServeStaleFor)
            {
                LogServedFromCache(_log, (now - stale.VerifiedAt).TotalSeconds, e.Message);
                return stale.Permissions;
            }

            if (e is OperationCanceledException)
            {
                // Not the caller's cancellation: the miner did not answer in time. A plain failure, so the caller gets 401.
                throw new TimeoutException($"the miner did not verify the token within {_options.VerifyTimeout}", e);
            }

            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The miner answered and said no: forget whatever was cached for this token.
            _entries.TryRemove(key, out _);
            throw;
        }

        Interlocked.Exchange(ref _minerUnavailableUntilTicks, 0);
        Store(key, new Entry(permissions, now, ExpiryOf(token)));
        return permissions;
    }

    /// <summary>Whether the failure says the miner could not answer (rather than that it rejected the token).</summary>
    internal static bool IsUnavailable(Exception e, CancellationToken caller) => e switch
    {
        OperationCanceledException => !caller.IsCancellationRequested,
        RpcException rpc => rpc.IsConnectionError,
        HttpRequestException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } => false,
        HttpRequestException => true,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    private void Store(string key, Entry entry)
    {
        if (_entries.Count >= _options.MaxEntries && !_entries.ContainsKey(key))
        {
            var now = _time.GetUtcNow();
            foreach (var (k, e) in _entries)
            {
                if (!e.IsUsable(now) || now - e.VerifiedAt >= _options.ServeStaleFor)
                {
                    _entries.TryRemove(k, out _);
                }
            }

            while (_entries.Count >= _options.MaxEntries && _entries.MinBy(kv => kv.Value.VerifiedAt) is { Key: { } oldest })
            {
                _entries.TryRemove(oldest, out _);
            }
        }

        _entries[key] = entry;
    }

    private static string KeyOf(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The payload's numeric <c>exp</c> (seconds since the epoch), or null when absent or unreadable.</summary>
    internal static DateTimeOffset? ExpiryOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object
                   && payload.RootElement.TryGetProperty("exp", out var exp)
                   && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, -62135596800L, 253402300799L))
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private sealed record Entry(IReadOnlyList<string> Permissions, DateTimeOffset VerifiedAt, DateTimeOffset? Expires)
    {
        public bool IsUsable(DateTimeOffset now) => Expires is not { } exp || now < exp;
    }

    [LoggerMessage(EventId = 7000, EventName = "TokenVerificationFromCache", Level = LogLevel.Warning, Message = "The miner cannot verify a token now ({Error}); using its verification from {AgeSeconds:F0} s ago")]
    private static partial void LogServedFromCache(ILogger logger, double ageSeconds, string error);
}
