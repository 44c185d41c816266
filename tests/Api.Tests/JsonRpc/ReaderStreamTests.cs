using System.Security.Cryptography;
using Kiln.Api.JsonRpc;
using Kiln.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>
/// Reader params as Lotus lib/rpcenc/reader.go defines them (push, null, http), on a real Kestrel port: asynchronous
/// methods that read after returning, pieces bigger than any request limit, expiry of abandoned readers, cut pushes.
/// </summary>
public sealed class ReaderStreamTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static string Sha256Of(Stream s)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            sha.AppendData(buffer, 0, n);
        }

        return Convert.ToHexString(sha.GetHashAndReset());
    }

    [Fact]
    public async Task Async_method_reads_its_pushed_reader_after_it_returned()
    {
        await using var host = await KestrelRpcHost.StartAsync();
        await using var client = host.CreateClient();
        var api = client.CreateProxy<IStreamTestApi>();
        var data = RandomNumberGenerator.GetBytes((3 << 20) + 17);

        var id = await api.StartDigestAsync(new MemoryStream(data));
        // The call has answered; only now may the background work read the reader.
        host.Streams.Release(id);
        var result = await host.Streams.Results[id].Task.WaitAsync(Wait);

        Assert.Equal(data.Length, result.Bytes);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), result.Sha256);
        Assert.True(result.ReadAfterReturn);
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task Async_method_with_a_null_reader_reads_zeros()
    {
        await using var host = await KestrelRpcHost.StartAsync();
        await using var client = host.CreateClient();
        var api = client.CreateProxy<IStreamTestApi>();

        var id = await api.StartDigestAsync(new NullReaderStream(1 << 20));
        host.Streams.Release(id);
        var result = await host.Streams.Results[id].Task.WaitAsync(Wait);

        Assert.Equal(1 << 20, result.Bytes);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(new byte[1 << 20])), result.Sha256);
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task Push_larger_than_64_MiB_streams_through_kestrel_without_a_body_limit()
    {
        const long size = (80L << 20) + 4093;
        await using var host = await KestrelRpcHost.StartAsync();
        await using var client = host.CreateClient();
        var api = client.CreateProxy<IStreamTestApi>();

        var id = await api.StartDigestAsync(new GeneratedStream(size, seed: 42));
        host.Streams.Release(id);
        var result = await host.Streams.Results[id].Task.WaitAsync(Wait);

        Assert.Equal(size, result.Bytes);
        Assert.Equal(Sha256Of(new GeneratedStream(size, seed: 42)), result.Sha256);
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task Head_is_answered_200_when_the_method_reads_and_204_when_it_closes_the_reader_unread()
    {
        await using var host = await KestrelRpcHost.StartAsync();

        // Read: HEAD 200, then the POST body reaches the method and the POST is answered 200 at its end.
        var id = Guid.NewGuid();
        var head = host.HeadAsync(id);
        var callId = await host.CallAsync("Streams.StartDigest", $$"""[{"Type":"push","Info":"{{id}}"}]""");
        var digestId = Guid.Parse(System.Text.Json.JsonDocument.Parse(callId).RootElement.GetProperty("result").GetString()!);
        host.Streams.Release(digestId);
        using (var headResponse = await head.WaitAsync(Wait))
        {
            Assert.Equal(200, (int)headResponse.StatusCode);
        }

        using (var post = await host.Http.PostAsync("/rpc/streams/v0/push/" + id, new ByteArrayContent("piece bytes"u8.ToArray())).WaitAsync(Wait))
        {
            Assert.Equal(200, (int)post.StatusCode);
        }

        var result = await host.Streams.Results[digestId].Task.WaitAsync(Wait);
        Assert.Equal(Convert.ToHexString(SHA256.HashData("piece bytes"u8)), result.Sha256);

        // Taken over, then the method fails: the server closes the reader unread, the HEAD gets 204.
        var id2 = Guid.NewGuid();
        var head2 = host.HeadAsync(id2);
        var failed = await host.CallAsync("Streams.TakeAndFail", $$"""[{"Type":"push","Info":"{{id2}}"}]""");
        Assert.Contains("refusing the piece after taking its reader", failed, StringComparison.Ordinal);
        using var headResponse2 = await head2.WaitAsync(Wait);
        Assert.Equal(204, (int)headResponse2.StatusCode);
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task An_abandoned_push_slot_expires_and_its_reader_then_fails()
    {
        var clock = new WatchedTimeProvider();
        var idle = TimeSpan.FromMilliseconds(300);
        await using var host = await KestrelRpcHost.StartAsync(o =>
        {
            o.ReaderIdleTimeout = idle;
            o.TimeProvider = clock;
        });
        var id = Guid.NewGuid();
        var head = host.HeadAsync(id);
        var held = await host.CallAsync("Streams.Hold", $$"""[{"Type":"push","Info":"{{id}}"}]""");
        var heldId = Guid.Parse(System.Text.Json.JsonDocument.Parse(held).RootElement.GetProperty("result").GetString()!);

        // Nobody reads: once the idle time passes on the server's clock the slot is gone (the expiry runs in Advance)
        // and the parked HEAD is let go with 500.
        await clock.WaitForTimerAsync(idle);
        clock.Advance(idle - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, host.Server.Streams.PendingCount);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, host.Server.Streams.PendingCount);
        using var headResponse = await head.WaitAsync(Wait);
        Assert.Equal(500, (int)headResponse.StatusCode);

        var reader = host.Streams.Held[heldId];
        var error = await Assert.ThrowsAsync<IOException>(async () => await reader.ReadExactlyAsync(new byte[16]));
        Assert.Contains($"reader stream {id} was not read within", error.Message, StringComparison.Ordinal);
        await reader.DisposeAsync();
    }

    [Fact]
    public async Task Pending_pushes_are_bounded_in_number()
    {
        var clock = new WatchedTimeProvider();
        var idle = TimeSpan.FromMinutes(10);
        await using var host = await KestrelRpcHost.StartAsync(o =>
        {
            o.MaxPendingReaders = 2;
            o.StreamTimeout = TimeSpan.FromMinutes(5);
            o.ReaderIdleTimeout = idle;
            o.TimeProvider = clock;
        });
        using var cancel = new CancellationTokenSource();
        var parked = new[] { host.HeadAsync(Guid.NewGuid(), cancel.Token), host.HeadAsync(Guid.NewGuid(), cancel.Token) };
        // A slot sets its idle timer as it is made: two timers, two parked slots.
        await clock.WaitForTimerAsync(idle);
        await clock.WaitForTimerAsync(idle);
        Assert.Equal(2, host.Server.Streams.PendingCount);

        using (var refused = await host.HeadAsync(Guid.NewGuid()).WaitAsync(Wait))
        {
            Assert.Equal(503, (int)refused.StatusCode);
        }

        var call = await host.CallAsync("Streams.Hold", $$"""[{"Type":"push","Info":"{{Guid.NewGuid()}}"}]""");
        Assert.Contains("too many pending reader streams (2)", call, StringComparison.Ordinal);

        await cancel.CancelAsync();
        foreach (var p in parked)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => p);
        }

        // The client gave up: the unclaimed slots go with their requests (each is removed, then its idle timer dropped).
        await clock.WaitForTimerDisposedAsync(idle);
        await clock.WaitForTimerDisposedAsync(idle);
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task A_push_cut_half_way_fails_the_read_with_a_clear_error()
    {
        await using var host = await KestrelRpcHost.StartAsync();
        var id = Guid.NewGuid();
        var head = host.HeadAsync(id);
        var started = await host.CallAsync("Streams.StartDigest", $$"""[{"Type":"push","Info":"{{id}}"}]""");
        var digestId = Guid.Parse(System.Text.Json.JsonDocument.Parse(started).RootElement.GetProperty("result").GetString()!);
        host.Streams.Release(digestId);
        using (var headResponse = await head.WaitAsync(Wait))
        {
            Assert.Equal(200, (int)headResponse.StatusCode);
        }

        // The sender dies after 5 MiB of a 20 MiB piece: its connection is dropped mid-body.
        var post = host.Http.PostAsync("/rpc/streams/v0/push/" + id, new StreamContent(new GeneratedStream(20 << 20, seed: 7, failAfter: 5 << 20)));
        await Assert.ThrowsAnyAsync<Exception>(() => post);

        var error = await Assert.ThrowsAsync<IOException>(() => host.Streams.Results[digestId].Task.WaitAsync(Wait));
        Assert.Contains($"reader stream {id}: the pushed data was cut after", error.Message, StringComparison.Ordinal);
        // The digest closed its reader before it failed.
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task A_read_cancelled_while_the_sender_stalls_ends_at_once()
    {
        await using var host = await KestrelRpcHost.StartAsync();
        var id = Guid.NewGuid();
        var held = await host.CallAsync("Streams.Hold", $$"""[{"Type":"push","Info":"{{id}}"}]""");
        var holdId = Guid.Parse(System.Text.Json.JsonDocument.Parse(held).RootElement.GetProperty("result").GetString()!);
        var reader = host.Streams.Held[holdId];

        // The sender pushes 64 KiB, then stalls with the connection open: the body never ends.
        using var stalled = new StallingStream(64 << 10);
        var post = host.Http.PostAsync("/rpc/streams/v0/push/" + id, new StreamContent(stalled));
        var buffer = new byte[64 << 10];
        var got = 0;
        while (got < buffer.Length)
        {
            got += await reader.ReadAsync(buffer.AsMemory(got)).AsTask().WaitAsync(Wait);
        }

        using var cancel = new CancellationTokenSource();
        var read = reader.ReadAsync(buffer, cancel.Token).AsTask();
        Assert.False(read.IsCompleted); // waiting for bytes that never come
        await cancel.CancelAsync();

        // The cancelled read ends: nothing waits for bytes the sender may never send.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Wait));
        await reader.DisposeAsync();
    }

    /// <summary>A body of <c>bytes</c> bytes that then never ends: each further read waits until cancelled.</summary>
    private sealed class StallingStream(int bytes) : Stream
    {
        private int _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent < bytes)
            {
                var n = Math.Min(buffer.Length, bytes - _sent);
                buffer.Span[..n].Fill(0x5a);
                _sent += n;
                return n;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Http_reader_is_sent_as_its_url_and_fetched_by_the_method()
    {
        const long size = (5L << 20) + 3;
        var gets = 0;
        await using var data = await KestrelRpcHost.StartAsync(map: app =>
        {
            app.MapGet("/piece", async (HttpContext c) =>
            {
                Interlocked.Increment(ref gets);
                c.Response.ContentLength = size;
                await new GeneratedStream(size, seed: 9).CopyToAsync(c.Response.Body);
            });
            app.MapGet("/gone", (HttpContext c) => c.Response.StatusCode = 404);
        });
        await using var host = await KestrelRpcHost.StartAsync();
        await using var client = host.CreateClient();
        var api = client.CreateProxy<ITestApi>();

        var digest = await api.DigestAsync(new HttpReaderStream(new Uri(data.BaseUri, "/piece")));
        Assert.Equal(Sha256Of(new GeneratedStream(size, seed: 9)), digest);
        Assert.Equal(1, gets);
        Assert.Equal(0, host.Server.Streams.PendingCount); // no push slot: the data never went through the client

        var error = await Assert.ThrowsAsync<RpcException>(() => api.DigestAsync(new HttpReaderStream(new Uri(data.BaseUri, "/gone"))));
        Assert.Contains("unexpected http status 404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_reader_param_by_hand_decodes_as_lotus_httpreader()
    {
        await using var data = await KestrelRpcHost.StartAsync(map: app => app.MapGet("/abc", () => "abc"));
        await using var host = await KestrelRpcHost.StartAsync();
        var url = new Uri(data.BaseUri, "/abc");
        var body = await host.CallAsync("Filecoin.Digest", $$"""[{"Type":"http","Info":"{{url}}"}]""");
        Assert.Contains(Convert.ToHexString(SHA256.HashData("abc"u8)), body, StringComparison.Ordinal);

        var bad = await host.CallAsync("Filecoin.Digest", """[{"Type":"http","Info":"not a url"}]""");
        Assert.Contains("parsing http reader url", bad, StringComparison.Ordinal);
    }
}
