using System.Collections.Concurrent;

namespace Trellis.Import;

/// <summary>
/// Runs a producer (parsing a CSV file) on its own thread while the caller consumes (writing rows to the database),
/// so that on two cores the import takes about as long as the slower of the two instead of their sum.
/// Items travel in batches to keep the hand-over cheap; the queue is bounded so memory stays flat.
/// </summary>
internal static class Prefetch
{
    public static IEnumerable<T> Ahead<T>(IEnumerable<T> source, CancellationToken ct, int batchSize = 2048, int batches = 8)
    {
        using var queue = new BlockingCollection<T[]>(batches);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                var batch = new List<T>(batchSize);
                foreach (var item in source)
                {
                    batch.Add(item);
                    if (batch.Count == batchSize)
                    {
                        queue.Add([.. batch], stop.Token);
                        batch.Clear();
                    }
                }
                if (batch.Count > 0) queue.Add([.. batch], stop.Token);
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            foreach (var batch in queue.GetConsumingEnumerable(stop.Token))
                foreach (var item in batch)
                    yield return item;
            // Surfaces a parse failure of the producer (with its file:line message) to the consumer.
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            // The consumer stopped early (an error while writing): let the producer end too.
            stop.Cancel();
            try { producer.Wait(CancellationToken.None); } catch (AggregateException) { }
        }
    }
}
