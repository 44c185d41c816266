using System.Diagnostics;
using System.Text.RegularExpressions;
using Kiln.Testing;

namespace Kiln.Cluster.Tests;

/// <summary>
/// Every line a child process wrote to stdout or stderr, in arrival order, with a wait for a line that matches:
/// tests wait on what the process says it did ("listening on", "connected from") instead of polling its RPC.
/// </summary>
internal sealed class ProcessLog
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private int _openStreams = 2;

    /// <summary>Raised after a line arrived or a stream closed.</summary>
    public event Action? Changed;

    /// <summary>The lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>How many lines arrived so far: a wait from this index sees only lines written after now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Whether both of the process's streams are closed (it exited): no line will come any more.</summary>
    public bool Closed
    {
        get
        {
            lock (_lock)
            {
                return _openStreams == 0;
            }
        }
    }

    /// <summary>Captures <paramref name="process"/>'s redirected stdout and stderr (before BeginOutputReadLine).</summary>
    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
    }

    /// <summary>
    /// The first line at or after index <paramref name="from"/> that matches <paramref name="pattern"/> (a regular
    /// expression), as soon as it is written; fails naming <paramref name="what"/> with the log's tail when the process
    /// exits first or nothing matches within <paramref name="patience"/>.
    /// </summary>
    public async Task<string> WaitForLineAsync(string pattern, string what, int from = 0, TimeSpan? patience = null)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        string? found = null;
        var next = from;
        try
        {
            await EventWait.UntilAsync(
                h => Changed += h,
                h => Changed -= h,
                () =>
                {
                    bool closed;
                    List<string> fresh;
                    lock (_lock)
                    {
                        closed = _openStreams == 0;
                        fresh = _lines.GetRange(next, _lines.Count - next);
                        next = _lines.Count;
                    }

                    found = fresh.Find(regex.IsMatch);
                    if (found is null && closed)
                    {
                        throw new InvalidOperationException($"the process exited before {what}; its last lines:\n{Tail()}");
                    }

                    return found is not null;
                },
                what,
                patience ?? TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the process's last lines:\n{Tail()}", e);
        }

        return found!;
    }

    private string Tail()
    {
        var lines = Lines;
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Count - 30)));
    }

    private void Received(string? line)
    {
        lock (_lock)
        {
            if (line is null)
            {
                _openStreams--;
            }
            else
            {
                _lines.Add(line);
            }
        }

        Changed?.Invoke();
    }
}
