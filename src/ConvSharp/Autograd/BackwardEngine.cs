namespace ConvSharp.Autograd;

/// <summary>
/// Reverse-mode differentiation over the recorded graph: a topological order of the nodes
/// reachable from the root, then one pass in reverse that hands each node the sum of the
/// gradients flowing into it (micrograd's <c>backward</c>, with an explicit stack so that deep
/// graphs cannot overflow the call stack).
/// </summary>
internal static class BackwardEngine
{
    /// <param name="root">the node of the tensor whose gradient is wanted</param>
    /// <param name="rootGradient">its gradient</param>
    /// <param name="retainGraph">keep the saved tensors usable for another pass; otherwise each node run is released</param>
    public static void Run(Node root, Tensor rootGradient, bool retainGraph)
    {
        var order = TopologicalOrder(root);
        var pending = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance) { [root] = rootGradient };
        using var noGrad = new GradModeScope(enabled: false);
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (!pending.Remove(node, out var gradient))
            {
                continue;
            }

            node.ThrowIfReleased();
            var inputGradients = node.Apply(gradient);
            if (!retainGraph)
            {
                node.ReleaseSavedTensors();
            }

            for (var k = 0; k < inputGradients.Length; k++)
            {
                var next = node.NextFunctions[k];
                var g = inputGradients[k];
                if (next is null || g is null)
                {
                    continue;
                }

                pending[next] = pending.TryGetValue(next, out var sum) ? sum + g : g;
            }
        }
    }

    /// <summary>Nodes in post-order: every node comes after all the nodes it feeds gradients to.</summary>
    private static List<Node> TopologicalOrder(Node root)
    {
        var order = new List<Node>();
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<(Node Node, int NextChild)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, child) = stack.Pop();
            var children = node.NextFunctions;
            while (child < children.Count && (children[child] is null || !visited.Add(children[child]!)))
            {
                child++;
            }

            if (child < children.Count)
            {
                stack.Push((node, child + 1));
                stack.Push((children[child]!, 0));
            }
            else
            {
                order.Add(node);
            }
        }

        return order;
    }
}
