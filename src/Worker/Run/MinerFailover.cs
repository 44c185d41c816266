using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.Types;

namespace Kiln.Worker.Run;

/// <summary>
/// The miners a kiln-worker may serve (<c>MINER_API_INFO</c> as a comma-separated list, Lotus cli/util/apiinfo.go
/// <c>ParseApiInfoMulti</c>), of which it talks to one at a time: <see cref="Api"/> forwards every call to the
/// current one, so results, declarations and token checks follow the worker when it moves. The worker starts with the
/// first that answers, in list order (<see cref="FirstAnsweringAsync"/>), and when that one is gone moves to the next
/// that answers, round-robin and wrapping (<see cref="NextAsync"/>).
/// </summary>
public sealed class MinerFailover
{
    private readonly IMinerStorageApi[] _clients;
    private int _current;

    /// <summary>One client per address, in the same order.</summary>
    /// <exception cref="ArgumentException">No address, or not one client per address.</exception>
    public MinerFailover(IReadOnlyList<ApiInfo> addresses, IReadOnlyList<IMinerStorageApi> clients)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(clients);
        if (addresses.Count == 0 || addresses.Count != clients.Count)
        {
            throw new ArgumentException($"a worker needs at least one miner address and one client per address (got {addresses.Count} addresses, {clients.Count} clients)");
        }

        Addresses = [.. addresses];
        _clients = [.. clients];
        Api = _clients.Length == 1 ? _clients[0] : MinerFailoverProxy.Create(this);
    }

    /// <summary>Raised after the worker moved: the old address, the new one and why (handlers must not block).</summary>
    public event Action<string, string, string>? Moved;

    /// <summary>The miners' API infos, in the order they are tried.</summary>
    public IReadOnlyList<ApiInfo> Addresses { get; }

    /// <summary>How many miners there are.</summary>
    public int Count => _clients.Length;

    /// <summary>The index, in <see cref="Addresses"/>, of the miner the worker talks to.</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>The address (without its token) of the miner the worker talks to.</summary>
    public string CurrentAddress => Addresses[Current].Address;

    /// <summary>The miner the worker talks to: every call goes to the current miner.</summary>
    public IMinerStorageApi Api { get; }

    /// <summary>The client of the miner the worker talks to now.</summary>
    internal IMinerStorageApi CurrentClient => _clients[Current];

    /// <summary>
    /// Lotus runCmd's wait for the miner, over the list: each round asks every miner for its <c>Version</c>, in list
    /// order, and the first that answers becomes the current one; each that does not is reported to
    /// <paramref name="waiting"/> (its http URL and the error), and when none does the next round starts after
    /// <paramref name="retry"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The first miner that answered speaks another API version.</exception>
    public async Task FirstAnsweringAsync(TimeSpan retry, TimeProvider time, Action<string, string> waiting, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(waiting);
        while (true)
        {
            for (var i = 0; i < _clients.Length; i++)
            {
                ApiVersionInfo version;
                try
                {
                    version = await _clients[i].VersionAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested && IsUnreachable(e))
                {
                    waiting(Addresses[i].HttpUrl().ToString(), e.Message);
                    continue;
                }

                if (version.APIVersion != ApiVersion.Miner)
                {
                    throw new InvalidOperationException(
                        $"lotus-miner API version doesn't match: expected: {ApiVersion.Miner}, got {version.APIVersion}" + (Count > 1 ? $" (miner {Addresses[i].Address})" : ""));
                }

                Volatile.Write(ref _current, i);
                return;
            }

            await Task.Delay(retry, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After the current miner was found gone: asks the others, from the next in the list on and wrapping, for their
    /// version, actor and session (each within <paramref name="timeout"/>), and makes the first that answers with
    /// <see cref="ApiVersion.Miner"/> and <paramref name="actor"/> the current one, raising <see cref="Moved"/>.
    /// Those that do not answer, or serve another actor, are passed over and reported to <paramref name="skipped"/>.
    /// </summary>
    /// <returns>The new miner's session, or null (still on the old one) when none of the others answered.</returns>
    public async Task<Guid?> NextAsync(string actor, string why, TimeSpan timeout, TimeProvider time, Action<string, string> skipped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(skipped);
        var from = Current;
        for (var step = 1; step < _clients.Length; step++)
        {
            var to = (from + step) % _clients.Length;
            var candidate = _clients[to];
            Guid session;
            using (var bounded = new CancellationTokenSource(timeout, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(bounded.Token, ct))
            {
                try
                {
                    var version = await candidate.VersionAsync(linked.Token).ConfigureAwait(false);
                    if (version.APIVersion != ApiVersion.Miner)
                    {
                        skipped(Addresses[to].Address, $"API version {version.APIVersion}, expected {ApiVersion.Miner}");
                        continue;
                    }

                    var theirs = await candidate.ActorAddressAsync(linked.Token).ConfigureAwait(false);
                    if (!string.Equals(theirs, actor, StringComparison.Ordinal))
                    {
                        skipped(Addresses[to].Address, $"it serves miner {theirs}, this worker serves {actor}");
                        continue;
                    }

                    session = await candidate.SessionAsync(linked.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    skipped(Addresses[to].Address, bounded.IsCancellationRequested ? $"no answer within {timeout}" : e.Message);
                    continue;
                }
            }

            Volatile.Write(ref _current, to);
            Moved?.Invoke(Addresses[from].Address, Addresses[to].Address, why);
            return session;
        }

        return null;
    }

    /// <summary>What Lotus's wait for the miner retries: the connection failed or timed out (not a refusal by the miner).</summary>
    private static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or Kiln.Api.JsonRpc.RpcException or TaskCanceledException or IOException;
}
